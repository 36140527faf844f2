"""The user interfaces: the web chat (Gradio) and the ``sanad`` command line (ui/cli.py), which drives
every layer. Nothing below imports ui.
"""
