// Package yamledit makes surgical edits to dbt property files (models/*.yml): every byte outside
// an edit stays as it was, so a pull request's diff shows only the lines that had to change.
//
// It owns reading a property file with positions (models, seeds, snapshots, analyses and source
// tables with their columns and tests), planning edits against it, writing new text in the
// file's own style, and a unified diff. It never re-encodes a user's file, never writes to disk
// (callers write the bytes atomically) and never decides what should change: that is the
// schema synthesizer's job.
//
// # How it works
//
// The file is parsed with github.com/goccy/go-yaml, which gives where each key, value and list
// item starts. Where each one ends is worked out from the text: a block entry runs to the line
// before the next sibling, minus trailing blank lines and comments that introduce what follows
// (comments indented deeper stay with the entry). Edits are splices at those offsets, computed
// against the original bytes and applied in one pass. CRLF files are parsed as LF (the parser
// miscounts lines after CRLF comments) and spliced back onto the original bytes, so untouched
// lines keep their CR. Apply parses its own output again and checks each edit reads back as
// intended (the column is there, the description reads back equal): it never returns YAML that
// does not load or says something else than asked.
//
// # API
//
//	f, err := yamledit.Load("models/staging/_stg.yml", data) // *Error with file:line:col
//	for _, m := range f.Models() { m.Ref.Name; m.Line; m.Columns[i].Name / .Index / .Line ... }
//	e := f.Model("stg_orders")                                // or f.Find(yamledit.SourceTableRef("raw", "orders"))
//
//	p := f.Plan()                                             // p.Style is the file's detected style
//	p.Style = p.Style.ForDbtVersion("1.10.5")                 // fills what the file does not show
//	p.AddColumn(yamledit.ModelRef("stg_orders"), 2, yamledit.Column{Name: "status", Description: "...",
//		DataType: "varchar", Tests: []yamledit.Test{{Name: "not_null"}}})
//	p.RemoveColumn(ref, "old")
//	p.RenameColumn(ref, "id", "order_id")
//	p.SetColumnDescription(ref, "order_id", "Primary key.")
//	p.SetColumnDataType(ref, "order_id", "bigint")
//	p.SetDescription(ref, "One row per order.")
//	p.AddTest(ref, "status", yamledit.Test{Name: "accepted_values", Args: []yamledit.KV{{Key: "values", Value: []string{"a", "b"}}}})
//	p.AddTest(ref, "", yamledit.Test{Name: "dbt_utils.recency", ...}) // model-level
//	p.RemoveTest(ref, "status", "accepted_values")
//	p.AddModel(yamledit.Model{Name: "stg_new", Columns: ...}); p.RemoveModel("stg_gone")
//	p.AddSourceTable("raw", yamledit.Model{Name: "payments"}); p.RemoveEntry(yamledit.SourceTableRef("raw", "x"))
//	out, err := p.Apply()                                     // new bytes; the File is unchanged
//	fmt.Print(yamledit.Diff("models/staging/_stg.yml", string(data), string(out)))
//
//	yamledit.NewFile([]yamledit.Model{...}, style)            // content of a new property file
//	yamledit.FileName(yamledit.DefaultFilePattern, "models/staging/stripe") // "_stripe__models.yml"
//
// Indexes and names in a plan always refer to the file as loaded: AddColumn's at is a position
// in the original list (several columns added at one index come out in the order added), and
// edits after a RenameColumn still name the column by its old name. Each method returns an
// *Error when its target is missing or cannot be edited in place, leaving the plan as it was.
// A column written as an alias of a shared anchor (`- *fees`) is never edited through the
// anchor, which would change every entry using it: it becomes `- <<: *fees` with keys of its
// own that override the anchor's (a test is refused when the anchor has tests, since an own list
// would hide them); a mapping with `<<: *defaults` likewise gets its own keys. Two edits to the
// same bytes make Apply fail with "conflicting edits".
//
// # Style
//
// New text follows the file (Style, detected at Load): indentation width, whether lists sit
// under their key or flush with it (per list where there is one), the dash-to-content gap,
// blank lines between entries (per list), `tests` or `data_tests`, test arguments inline or
// under `arguments:` (dbt >= 1.10.5), flow lists (`tests: [unique, not_null]`) when the list or
// the file is written that way, the quote character and whether descriptions are always quoted,
// key order of description and data_type, literal blocks for multi-line text, folded `>-` for
// long text in files that fold, and CRLF. Strings are quoted only where YAML (1.1, as dbt reads
// it) would read them as something else: `yes`, `1.0`, `{{ doc('x') }}`, `a: b`, `#x`.
package yamledit
