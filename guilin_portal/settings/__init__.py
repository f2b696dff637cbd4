"""Settings by environment; DJANGO_SETTINGS_MODULE names one module, nothing here picks it.

- `guilin_portal.settings.development`: the embedded default (manage.py, wsgi.py, asgi.py, celery.py)
- `guilin_portal.settings.production`: named explicitly on a server
- `guilin_portal.settings.test`: pytest (pyproject.toml)

`base` holds what all three share.
"""
