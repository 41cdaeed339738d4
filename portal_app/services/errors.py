"""Typed errors carrying a message key; the UI translates the key, services never format text."""


class ServiceError(Exception):
    """A refusal the user should read: `key` names the message, `params` fill it in."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params


class NotAllowed(ServiceError):
    """The caller may not do this (role, plan, another firm's data, not signed in)."""


class FieldErrors(ServiceError):
    """Several fields are wrong at once; `fields` maps field name to (key, params)."""

    def __init__(self, fields: dict[str, tuple[str, dict]]):
        super().__init__("errors.form_invalid")
        self.fields = fields
