-- dialect: tsql
-- MAX in a type's brackets is a keyword, not a name.
SELECT
    CAST(object_id AS NVARCHAR(MAX)) AS id_text,
    CAST(b AS VARCHAR(MAX)) AS Mixed -- want: CP02
FROM tbl
