"""The bridge between the app and engine/: the only app package that imports the engine."""
