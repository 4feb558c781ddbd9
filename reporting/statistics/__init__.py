"""Statistics beyond the parliamentary questions, each a plain function of an as-of date and its
parameters, computed in a number of queries that does not grow with the data: ``breakdown`` (any measure
by up to three dimensions), ``esf`` (the ESF+ monitoring indicators) and ``reach`` (the companies reached
against the whole population). Each is registered as a report kind in ``reporting.kinds``, which makes it
a report the cabinet can ask for.
"""
