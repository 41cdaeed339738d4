"""Pure functions returning components: shells, form fields, tables, the share dialog."""
