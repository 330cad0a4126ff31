"""Streamlit entry point: ``streamlit run streamlit_app.py`` (the app lives in geobaro.app)."""

from pathlib import Path

from geobaro.app import main

main(static_dir=Path(__file__).resolve().parent / "static")
