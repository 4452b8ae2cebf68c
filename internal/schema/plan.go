package schema

// OpKind is one kind of property-file edit the synthesizer plans.
type OpKind string

// Edits the synthesizer plans. They are applied through internal/yamledit, which changes only
// the lines they concern.
const (
	OpAddColumn    OpKind = "add-column"
	OpRemoveColumn OpKind = "remove-column"
	OpRenameColumn OpKind = "rename-column"
	OpSetDataType  OpKind = "set-data-type"
	OpAddModel     OpKind = "add-model" // an entry appended to File (created when missing)
	OpRemoveModel  OpKind = "remove-model"
	OpRenameModel  OpKind = "rename-model"
)

// ColumnSpec is a column entry to write.
type ColumnSpec struct {
	Name        string
	Description string // "" writes no description
	DataType    string // "" writes no data_type
	// DescriptionFrom says where the description came from (see Described.From), or "llm".
	DescriptionFrom string
	// DescriptionSource is the file:line the description was taken from.
	DescriptionSource string
	// DescriptionBy names the language model that wrote an "llm" description.
	DescriptionBy string
}

// Op is one planned edit.
type Op struct {
	Kind  OpKind
	File  string // property file, relative to the project root
	Model string // the entry's name as the file has it (the old name for rename-model)
	// Key is the property key holding the entry: models (default), seeds, snapshots.
	Key string
	// Column is the column to add, remove, retype (with its new data type) or the new name of
	// a renamed column.
	Column ColumnSpec
	// From is the old name of a renamed column or model.
	From string
	// After places an added column after this documented column; "" puts it first. Columns
	// are added in the order of the model's SQL.
	After string
	// Entry is the model entry an add-model writes.
	Entry *ModelSpec
	// Reason says why, for text output and reviews.
	Reason string
}

// ModelSpec is a whole model entry to write.
type ModelSpec struct {
	Name        string
	Description string
	Columns     []ColumnSpec
}

// Note is something the synthesizer could not or would not do by itself: a stale column entry,
// a model whose columns it cannot know, a column the warehouse names itself.
type Note struct {
	Rule     string `json:"rule"`     // stale-column, unknown-columns, unnamed-column, versioned-model, validation, dbt-parse
	Severity string `json:"severity"` // error, warning, info
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Model    string `json:"model,omitempty"`
	Column   string `json:"column,omitempty"`
	Message  string `json:"message"`
}
