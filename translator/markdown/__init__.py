"""The post as Markdown: takes a post's bytes, gives its front matter and translatable
units (with tags for what must not change), and puts translations back into it."""
