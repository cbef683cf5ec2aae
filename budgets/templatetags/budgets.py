from django import template

from budgets.display import amount_html

register = template.Library()
register.filter("mio", amount_html)
