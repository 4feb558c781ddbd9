"""The back office's notation in templates: ``|amount`` (1.234,56), ``|euro`` (€ 1.234,56), ``|hours``
(13,5) and ``|long_date`` (26 november 2025); see ``voorsprong.money`` and ``voorsprong.formats``."""

from django import template

from voorsprong import formats, money

register = template.Library()
register.filter("amount", money.amount)
register.filter("euro", money.euro)
register.filter("hours", money.hours)
register.filter("long_date", formats.long_date)
