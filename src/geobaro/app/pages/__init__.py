"""The app's views, one module each with ``show(lang)``; `geobaro.app.router` lists them."""
