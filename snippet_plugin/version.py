"""Version of the snippet_plugin package."""
__version__ = '0.1.0'
