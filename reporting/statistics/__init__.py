"""Statistics the back office reports beside the parliamentary questions, each in a module of its own."""
