"""Statistics the back office reports beside the parliamentary questions, each in a module of its own and
computed as of a date from the participants' selectors: ``esf`` (the ESF+ monitoring indicators) and
``reach`` (the companies reached against the whole population)."""
