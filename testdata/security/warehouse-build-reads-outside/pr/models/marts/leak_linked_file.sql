-- Reads a file outside the project through a link inside it.
select content from read_text('{project}/data/notes.txt')
