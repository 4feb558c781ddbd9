"""Statistics beyond the registered parliamentary questions, each computed as of a date from the
participants' selectors: ``reach`` (the companies reached against the whole population)."""
