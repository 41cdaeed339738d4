"""Form building blocks: a labelled field with its own error message right under it."""

import reflex as rx


def field(label, control: rx.Component, *, error=None, help_text=None, field_id: str = "") -> rx.Component:
    children = [rx.text(label, as_="label", html_for=field_id, size="2", weight="medium"), control]
    if help_text is not None:
        children.append(rx.text(help_text, size="1", color_scheme="gray"))
    if error is not None:
        children.append(
            rx.cond(
                error != "",
                rx.text(error, size="2", color_scheme="red", id=f"{field_id}-error", role="alert"),
            )
        )
    return rx.vstack(*children, spacing="1", width="100%", align="stretch")


def notice(message, color: str = "green", icon: str = "circle-check", id_: str = "") -> rx.Component:
    """A callout shown only while `message` is not empty."""
    return rx.cond(
        message != "",
        rx.callout(message, icon=icon, color_scheme=color, size="1", id=id_, role="status"),
    )


def pager(state) -> rx.Component:
    return rx.hstack(
        rx.button(state.t["common.previous"], on_click=state.go(-1), disabled=state.page <= 0, variant="soft", size="1"),
        rx.text(
            state.t["common.page_of"].replace("{page}", (state.page + 1).to_string()).replace("{pages}", state.pages.to_string()),
            size="2", color_scheme="gray",
        ),
        rx.button(state.t["common.next"], on_click=state.go(1), disabled=state.page >= state.pages - 1, variant="soft", size="1"),
        justify="end", align="center", width="100%", spacing="3",
    )
