"""Process designer: model library, editor, lint, deploy, diff and bulk migration."""
