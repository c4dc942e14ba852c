"""marshmallow schemas of the REST API: `<Model>Schema` for output, `<Model><Action>Schema` for input."""
