"""Streamlit entry point: ``streamlit run streamlit_app.py`` (the app lives in geobaro.app)."""

from geobaro.app import main

main()
