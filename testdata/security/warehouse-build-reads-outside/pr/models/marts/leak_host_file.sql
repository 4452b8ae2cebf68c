-- Reads a file outside the project while the project is built.
select content from read_text('{outside}/canary.txt')
