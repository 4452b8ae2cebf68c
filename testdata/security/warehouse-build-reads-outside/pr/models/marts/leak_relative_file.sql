-- The same link, by a path relative to the project.
select content from read_text('data/notes.txt')
