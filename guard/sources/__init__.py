"""Sources: files in, shell snippets out. One module per kind of file."""
