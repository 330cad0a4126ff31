"""Streamlit entry point: ``streamlit run streamlit_app.py`` (the app lives in geobaro.app).

Run by Streamlit for every session (``__name__ == "__main__"``), the file draws the app.
Imported by ``streamlit run`` itself, it is the server: an ``st.App`` of this same file whose
lifespan warms the app up before the first visitor (`geobaro.app.warm`) and which answers
Streamlit's frontend files from memory (`geobaro.app.frontend`).
"""

from pathlib import Path

import streamlit as st

from geobaro.app import main
from geobaro.app.warm import lifespan

if __name__ == "__main__":
    main(static_dir=Path(__file__).resolve().parent / "static")
else:
    from starlette.middleware import Middleware

    from geobaro.app.frontend import FrontendFiles

    app = st.App(__file__, lifespan=lifespan, middleware=[Middleware(FrontendFiles)])
