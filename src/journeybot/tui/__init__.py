"""The terminal UI (Textual). The only package of journeybot that imports Textual and textual-serve.

Start it with ``journeybot`` (or ``python -m journeybot.tui.app``); ``journeybot serve`` shows the
same app in a browser. Importing this package is cheap: the app module loads Textual, never the model
stack (LangChain, Chroma), which loads in a worker thread once the first screen is up.
"""
