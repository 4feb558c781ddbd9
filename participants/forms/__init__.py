"""The portal's forms share one layout (portal.css, ``form.fields``): each label above its input, required
fields marked."""


class PortalForm:
    """Mark required fields for portal.css (``label.required`` gets an asterisk) and drop the colon after
    the labels, which stand above their inputs or after their checkbox."""

    required_css_class = "required"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class RefusalErrors:
    """Shows a service's refusal where it belongs: at the input it is about, otherwise for the page."""

    def add_refusal(self, refusal) -> None:
        self.add_error(refusal.field if refusal.field in self.fields else None, refusal.message)
