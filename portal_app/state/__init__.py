"""One State module per feature; handlers are thin: check the caller, call a service, copy DTOs."""
