// Package ast declares the syntax tree of the SQL front end: statements, queries, table
// expressions and scalar expressions, each with the byte span it covers in the source. It owns
// the canonical printer (Print, String) and the walker (Inspect). It never parses, never
// resolves names and never knows a catalog: meaning (which column a name refers to, types)
// belongs to the packages that read the tree.
//
// Conventions every node follows:
//   - Pos() is the offset of its first byte, End() the offset just past its last byte.
//   - Identifiers keep their spelling: Ident.Name is the unquoted value, Ident.Quote the quote
//     byte when it was quoted, so case rules (folded vs quoted) stay with the reader.
//   - Keywords that choose between forms are stored upper-case (Join.Kind, Binary.Op, ...).
//   - Broken input yields Bad* nodes covering the bytes that could not be read; the parser
//     reports an error for each, and the rest of the tree stays usable.
package ast

import "github.com/dataops-dev/dataops/internal/sql/token"

// Node is any syntax tree node.
type Node interface {
	Pos() token.Pos
	End() token.Pos
}

// Span is the byte range [Start, Stop) a node covers; every node embeds one.
type Span struct {
	Start, Stop token.Pos
}

func (s Span) Pos() token.Pos { return s.Start }
func (s Span) End() token.Pos { return s.Stop }

// Stmt is a statement.
type Stmt interface {
	Node
	stmtNode()
}

// Expr is a scalar expression.
type Expr interface {
	Node
	exprNode()
}

// QueryExpr is the body of a query: *Select, *SetOp, *Values, *ParenQuery, *TemplateQuery or
// *BadQuery.
type QueryExpr interface {
	Node
	queryNode()
}

// TableExpr is an item of a FROM clause: *TableName, *DerivedTable, *TableFunc, *Join,
// *ParenTable, *Pivot, *Unpivot, *TemplateTable or *BadTable.
type TableExpr interface {
	Node
	tableNode()
}

// File is a parsed SQL text: its statements in order.
type File struct {
	Span
	Stmts []Stmt
}

// ---------------------------------------------------------------------------------------------
// Names

// Ident is one identifier. Name is the identifier's value with quotes removed and doubled quotes
// undone; Quote is the opening quote byte ('"', '`' or '[') or 0 when unquoted.
type Ident struct {
	Span
	Name  string
	Quote byte
	// Raw is the name as written, kept where printing it from Name and Quote could read
	// back differently: a backtick name with backslash escapes (BigQuery, MySQL), a string
	// standing for a name (FROM 'file.csv', AS 'alias'), which a dialect with triple quotes
	// would misread once its quotes were doubled.
	Raw string
}

// Quoted reports whether the identifier was written in quotes.
func (x *Ident) Quoted() bool { return x.Quote != 0 }

// Name is a dotted name such as db.schema.table or schema.func.
type Name struct {
	Span
	Parts []*Ident
}

// Last returns the final part (the table or function itself), or nil for an empty name.
func (n *Name) Last() *Ident {
	if n == nil || len(n.Parts) == 0 {
		return nil
	}
	return n.Parts[len(n.Parts)-1]
}

// TypeName is a data type as written: Name holds the upper-cased words ("VARCHAR",
// "DOUBLE PRECISION", "TIMESTAMP WITH TIME ZONE", or a user type's spelling), Params the
// parenthesized modifiers (10, 2), Elems the element types of ARRAY<T>, MAP<K, V>, LIST(T) and
// T[], Fields the members of STRUCT<a T>, ROW(a T) and OBJECT(a T). ArrayDims counts trailing
// [] (Postgres, DuckDB).
type TypeName struct {
	Span
	Name      string
	Params    []Expr
	Elems     []*TypeName
	Fields    []*TypeField
	ArrayDims int
	// Angle records whether the element or field list was written with <...> (BigQuery,
	// Databricks) rather than (...), for printing.
	Angle bool
}

// TypeField is a named member of a struct type.
type TypeField struct {
	Span
	Name *Ident
	Type *TypeName
}

// ---------------------------------------------------------------------------------------------
// Statements

// Query is a complete query: WITH, a body of selects combined by set operations, and the
// ORDER BY / LIMIT / OFFSET / FETCH that apply to the whole. It is the node for a SELECT
// statement and for every subquery.
type Query struct {
	Span
	With    *With
	Body    QueryExpr
	OrderBy []*OrderItem
	// Spark/Databricks row placement: DISTRIBUTE BY, SORT BY, CLUSTER BY.
	DistributeBy []Expr
	SortBy       []*OrderItem
	ClusterBy    []Expr
	Limit        *Limit
}

// With is a WITH clause.
type With struct {
	Span
	Recursive bool
	CTEs      []*CTE
}

// CTE is one common table expression: name [(columns)] AS [[NOT] MATERIALIZED] (query).
type CTE struct {
	Span
	Name         *Ident
	Columns      []*Ident
	Materialized string // "", "MATERIALIZED" or "NOT MATERIALIZED"
	Query        *Query
}

// Limit holds the row-limiting clauses of a query. Count is nil for LIMIT ALL or when only
// OFFSET is present. FETCH FIRST n ROWS sets Count and Fetch.
type Limit struct {
	Span
	Count    Expr
	Offset   Expr
	Fetch    bool // FETCH FIRST/NEXT ... ROWS ONLY|WITH TIES
	WithTies bool
	Percent  bool
	// Comma records MySQL's LIMIT offset, count.
	Comma bool
}

// OrderItem is one ORDER BY term.
type OrderItem struct {
	Span
	Expr  Expr
	Desc  bool
	Asc   bool   // written explicitly as ASC
	Nulls string // "", "FIRST" or "LAST"
}

// CreateTable is CREATE [OR REPLACE] [TEMPORARY|TRANSIENT|...] TABLE [IF NOT EXISTS] name
// [(columns)] [AS query]. Options after the column list that the front end does not model
// (CLUSTER BY, PARTITION BY, WITH (...), ...) are kept as tokens.
type CreateTable struct {
	Span
	OrReplace   bool
	Modifiers   []string // upper-cased words between CREATE and TABLE: TEMPORARY, TRANSIENT, ...
	IfNotExists bool
	Name        *Name
	Columns     []*ColumnDef
	Options     []token.Token
	Query       *Query
}

// ColumnDef is a column of CREATE TABLE; constraints and defaults are kept as tokens.
type ColumnDef struct {
	Span
	Name        *Ident
	Type        *TypeName
	Constraints []token.Token
}

// CreateView is CREATE [OR REPLACE] [SECURE|MATERIALIZED|TEMPORARY|RECURSIVE] VIEW.
type CreateView struct {
	Span
	OrReplace   bool
	Modifiers   []string
	IfNotExists bool
	Name        *Name
	Columns     []*Ident
	Options     []token.Token
	Query       *Query
}

// Insert is INSERT INTO/OVERWRITE table [(columns)] query-or-VALUES [ON CONFLICT ...].
type Insert struct {
	Span
	Overwrite bool
	Table     *Name
	Alias     *Ident
	Columns   []*Ident
	Query     *Query // VALUES rows are a Query whose Body is *Values; nil for DEFAULT VALUES
	Tail      []token.Token
}

// Update is UPDATE table SET assignments [FROM ...] [WHERE ...].
type Update struct {
	Span
	Table TableExpr
	Set   []*Assignment
	From  []TableExpr
	Where Expr
}

// Assignment is target = value in UPDATE and MERGE.
type Assignment struct {
	Span
	Target *ColumnRef
	Value  Expr
}

// Delete is DELETE FROM table [USING ...] [WHERE ...].
type Delete struct {
	Span
	Table TableExpr
	Using []TableExpr
	Where Expr
}

// Merge is MERGE INTO target USING source ON cond WHEN ... clauses.
type Merge struct {
	Span
	Target  TableExpr
	Source  TableExpr
	On      Expr
	Clauses []*MergeClause
}

// MergeClause is WHEN [NOT] MATCHED [BY SOURCE|TARGET] [AND cond] THEN action.
type MergeClause struct {
	Span
	Matched bool
	By      string // "", "SOURCE" or "TARGET"
	Cond    Expr
	Action  string // UPDATE, DELETE, INSERT, DO NOTHING
	Set     []*Assignment
	Columns []*Ident
	Values  []Expr
	Star    bool // UPDATE SET * / INSERT * (Databricks)
}

// Other is a statement the front end keeps without modelling it (GRANT, SET, USE, ALTER,
// DROP, COPY, CALL, BEGIN, ...). Keyword is its first word, upper-cased; Tokens are its
// significant tokens.
type Other struct {
	Span
	Keyword string
	Tokens  []token.Token
}

// BadStmt covers a statement that could not be read.
type BadStmt struct {
	Span
}

// ---------------------------------------------------------------------------------------------
// Query bodies

// Select is one SELECT block.
type Select struct {
	Span
	Distinct   bool
	DistinctOn []Expr
	All        bool // SELECT ALL written explicitly
	Top        *Top
	SelectAs   string // BigQuery SELECT AS STRUCT / AS VALUE: "STRUCT" or "VALUE"
	Items      []*SelectItem
	From       []TableExpr // comma-separated items; joins nest inside them
	Where      Expr
	// StartWith and ConnectBy are the hierarchical query clauses (Snowflake, Oracle).
	StartWith Expr
	ConnectBy Expr
	NoCycle   bool
	GroupBy   *GroupBy
	Having    Expr
	Qualify   Expr
	Windows   []*NamedWindow
}

// Top is T-SQL/Snowflake's SELECT TOP n [PERCENT] [WITH TIES].
type Top struct {
	Span
	Count    Expr
	Percent  bool
	WithTies bool
}

// SelectItem is one projection: an expression with an optional alias, or a star.
type SelectItem struct {
	Span
	Expr  Expr // *Star for * and t.*
	Alias *Ident
	As    bool // the alias was introduced by AS
	// Aliases are Spark's `AS (pos, val)` for a generator giving several columns (posexplode,
	// inline, stack, json_tuple); Alias is then nil.
	Aliases []*Ident
}

// GroupBy is GROUP BY [ALL | items]; items include *GroupingSet for ROLLUP, CUBE and
// GROUPING SETS.
type GroupBy struct {
	Span
	All        bool
	Distinct   bool
	Items      []Expr
	WithRollup bool // MySQL/Spark trailing WITH ROLLUP
	WithCube   bool
}

// GroupingSet is ROLLUP (...), CUBE (...) or GROUPING SETS (...); each set is a list of
// expressions (a single expression is a one-element set, () the empty set).
type GroupingSet struct {
	Span
	Kind string // ROLLUP, CUBE, GROUPING SETS
	Sets [][]Expr
}

// NamedWindow is `name AS (spec)` in a WINDOW clause.
type NamedWindow struct {
	Span
	Name *Ident
	Spec *WindowSpec
}

// SetOp combines two query bodies: UNION, INTERSECT, EXCEPT (MINUS is stored as EXCEPT with
// Minus set).
type SetOp struct {
	Span
	Op            string // UNION, INTERSECT, EXCEPT
	Minus         bool
	All           bool
	Distinct      bool
	ByName        bool // DuckDB/Databricks/BigQuery BY NAME
	Corresponding bool
	// Mode is BigQuery's FULL, LEFT or INNER before the operator ("FULL UNION ALL
	// CORRESPONDING"): which columns a match by name keeps. Empty when not written.
	Mode string
	// On lists the columns of CORRESPONDING BY (...) or BY NAME ON (...), the only ones kept.
	On    []*Ident
	Left  QueryExpr
	Right QueryExpr
}

// Values is a VALUES list; each row is a list of expressions.
type Values struct {
	Span
	Rows [][]Expr
}

// ParenQuery is a parenthesized query inside a set operation or FROM, with its own ORDER BY
// and LIMIT.
type ParenQuery struct {
	Span
	Query *Query
}

// TemplateQuery is leftover Jinja ({{ macro() }}) standing where a query body is expected,
// as in `with x as ({{ macro() }})` before rendering.
type TemplateQuery struct {
	Span
	Text string
}

// BadQuery covers a query body that could not be read.
type BadQuery struct {
	Span
}

// ---------------------------------------------------------------------------------------------
// Table expressions

// Alias is `[AS] name [(columns)]` after a table expression.
type Alias struct {
	Span
	Name    *Ident
	As      bool
	Columns []*Ident
}

// TableName is a named relation: table, view, CTE, or Snowflake stage (@stage/path).
type TableName struct {
	Span
	Name  *Name
	Stage string // the stage reference text when the relation is a Snowflake stage
	Alias *Alias
	// Tail holds modifiers the front end does not model (TABLESAMPLE, AT/BEFORE, FOR SYSTEM_TIME
	// AS OF, WITH (NOLOCK), FINAL, index hints) as their significant tokens.
	Tail []token.Token
}

// DerivedTable is a subquery in FROM: [LATERAL] (query) [alias].
type DerivedTable struct {
	Span
	Lateral bool
	Query   *Query
	Alias   *Alias
}

// TableFunc is a function producing rows: UNNEST(...), FLATTEN(input => ...),
// TABLE(generator(...)), read_csv(...), generate_series(...). Snowflake's TABLE(...) wrapper
// sets TableWrapper.
type TableFunc struct {
	Span
	Lateral        bool
	TableWrapper   bool
	Func           *Func
	WithOrdinality bool
	Alias          *Alias
	// WithOffset is BigQuery's UNNEST(...) WITH OFFSET [AS name]; OffsetAlias may be nil.
	WithOffset  bool
	OffsetAlias *Ident
}

// Join is Left <kind> JOIN Right [ON cond | USING (cols)]. Kind is the join's meaning,
// upper-cased: INNER (JOIN or INNER JOIN), LEFT, RIGHT, FULL, CROSS, SEMI, ANTI, POSITIONAL,
// CROSS APPLY, OUTER APPLY, LATERAL VIEW (Right is a *LateralView). NATURAL and ASOF are flags
// on top of the kind (ASOF JOIN is INNER with Asof; ASOF LEFT JOIN is LEFT with Asof). Written
// is the keyword sequence as it appeared, upper-cased and single-spaced ("LEFT OUTER JOIN",
// "ASOF JOIN", "LEFT SEMI JOIN"), which the printer reproduces.
type Join struct {
	Span
	Kind    string
	Written string
	Natural bool
	Asof    bool
	Left    TableExpr
	Right   TableExpr
	// Match is Snowflake's ASOF JOIN ... MATCH_CONDITION (expr), before its ON.
	Match Expr
	On    Expr
	Using []*Ident
}

// LateralView is Spark/Databricks LATERAL VIEW [OUTER] func(...) alias [AS col, ...]; it is the
// Right side of a Join with Kind "LATERAL VIEW".
type LateralView struct {
	Span
	Outer   bool
	Func    *Func
	Alias   *Ident
	Columns []*Ident
}

// ParenTable is a parenthesized table expression: (a JOIN b) [alias].
type ParenTable struct {
	Span
	Table TableExpr
	Alias *Alias
}

// Pivot is source PIVOT (aggs FOR column IN (values)) [alias].
type Pivot struct {
	Span
	Source  TableExpr
	Aggs    []*SelectItem
	For     []Expr
	In      []*SelectItem // values with optional aliases
	InAny   bool          // IN (ANY [ORDER BY ...])
	InQuery *Query
	Alias   *Alias
}

// Unpivot is source UNPIVOT [INCLUDE|EXCLUDE NULLS] (value FOR name IN (columns)) [alias].
type Unpivot struct {
	Span
	Source       TableExpr
	IncludeNulls bool
	ExcludeNulls bool
	Values       []*Ident // value column(s)
	For          []*Ident // name column(s)
	In           []*UnpivotIn
	Alias        *Alias
}

// UnpivotIn is one source column group of UNPIVOT ... IN (...), with an optional alias.
type UnpivotIn struct {
	Span
	Columns []Expr
	Alias   Expr // an identifier or a literal, as dialects allow
}

// TemplateTable is leftover Jinja ({{ ref('x') }}) standing where a table is expected.
type TemplateTable struct {
	Span
	Text  string
	Alias *Alias
}

// BadTable covers a table expression that could not be read.
type BadTable struct {
	Span
}

// ---------------------------------------------------------------------------------------------
// Expressions

// ColumnRef is a possibly qualified name in an expression: col, t.col, schema.t.col, or a
// struct field path the reader resolves (rec.field). Parts keep their quoting.
type ColumnRef struct {
	Span
	Parts []*Ident
	// OuterJoin is Oracle's and Snowflake's (+) after the column: the join is outer on it.
	OuterJoin bool
}

// Star is * or qualifier.* with its modifiers: EXCLUDE/EXCEPT (cols), REPLACE (expr AS col),
// RENAME (old AS new), ILIKE 'pattern', LIKE 'pattern'.
type Star struct {
	Span
	Qualifier []*Ident
	ExceptKw  string // "EXCLUDE" or "EXCEPT" as written
	Except    []*Ident
	Replace   []*SelectItem // Expr AS Alias
	Rename    []*RenameItem
	ILike     Expr
	Like      Expr
	// StructOf is set for (expr).* — the star expands a struct value, not a relation.
	StructOf Expr
}

// RenameItem is old AS new in * RENAME.
type RenameItem struct {
	Span
	Old *ColumnRef
	New *Ident
}

// LitKind is the kind of a Literal.
type LitKind uint8

const (
	LitNumber LitKind = iota
	LitString
	LitBool
	LitNull
)

// Literal is a number, string, boolean or NULL. Text is the token as written (quotes and
// prefixes included); Value is the decoded string for strings, Text otherwise.
type Literal struct {
	Span
	Kind  LitKind
	Text  string
	Value string
}

// TypedLiteral is `type 'string'`: DATE '2024-01-01', TIMESTAMP '...', JSON '...'.
type TypedLiteral struct {
	Span
	Type  *TypeName
	Value *Literal
}

// Interval is INTERVAL value [unit [TO unit]] (the unit may be inside the string).
type Interval struct {
	Span
	Value  Expr
	Unit   string
	ToUnit string
}

// Param is a bind parameter or variable: $1, ?, :name, @name, @@var, $var, %(name)s.
type Param struct {
	Span
	Text string
}

// Binary is X Op Y. Op is the operator as written for symbols, upper-cased for words
// (AND, OR, XOR, DIV, MOD, OVERLAPS).
type Binary struct {
	Span
	Op    string
	OpPos token.Pos
	X, Y  Expr
}

// Unary is Op X: NOT, -, +, ~, !, PRIOR, CONNECT_BY_ROOT; or postfix ! (factorial) when
// Postfix is set.
type Unary struct {
	Span
	Op      string
	Postfix bool
	X       Expr
}

// Paren is (X).
type Paren struct {
	Span
	X Expr
}

// Row is a parenthesized list (a, b) or ROW(a, b).
type Row struct {
	Span
	Keyword bool
	Exprs   []Expr
}

// Func is a function call, aggregate or window function.
type Func struct {
	Span
	Name     *Name
	Distinct bool
	All      bool
	Star     bool // count(*)
	Args     []Expr
	// OrderBy inside the argument list: array_agg(x ORDER BY y), string_agg(...).
	OrderBy []*OrderItem
	// Limit inside the argument list (BigQuery ARRAY_AGG(x LIMIT 10)).
	Limit Expr
	// Separator is MySQL's GROUP_CONCAT(... SEPARATOR ',').
	Separator   Expr
	Nulls       string // "IGNORE NULLS" / "RESPECT NULLS", inside or after the arguments
	NullsInside bool
	// HavingMax is "MAX" or "MIN" for BigQuery's ANY_VALUE(x HAVING MAX y), which keeps the
	// value from the row where Having is largest (smallest); "" when absent.
	HavingMax   string
	Having      Expr
	WithinGroup []*OrderItem
	Filter      Expr
	Over        *WindowSpec
	// NoParens is set for niladic keywords written without parentheses: CURRENT_DATE,
	// CURRENT_TIMESTAMP, CURRENT_USER, LOCALTIMESTAMP, ...
	NoParens bool
}

// NamedArg is name => value (or name := value) in a call.
type NamedArg struct {
	Span
	Name  *Ident
	Op    string
	Value Expr
}

// KeywordArg is an argument introduced by a keyword inside special call forms:
// SUBSTRING(x FROM 1 FOR 2), TRIM(BOTH ' ' FROM x), POSITION('a' IN s), OVERLAY(... PLACING ...),
// and a bare keyword argument such as TRIM's LEADING when Value is nil.
type KeywordArg struct {
	Span
	Keyword string
	Value   Expr
}

// Extract is EXTRACT(field FROM x) (and DATE_PART written the same way).
type Extract struct {
	Span
	Field string // upper-cased
	X     Expr
}

// WindowSpec is OVER name or OVER ([base] [PARTITION BY ...] [ORDER BY ...] [frame]).
type WindowSpec struct {
	Span
	Name        *Ident // OVER w, or the base window inside the parentheses
	Paren       bool
	PartitionBy []Expr
	OrderBy     []*OrderItem
	Frame       *Frame
}

// Frame is ROWS|RANGE|GROUPS BETWEEN From AND To [EXCLUDE ...]; To is nil without BETWEEN.
type Frame struct {
	Span
	Unit    string // ROWS, RANGE, GROUPS
	From    *FrameBound
	To      *FrameBound
	Exclude string // "", "CURRENT ROW", "GROUP", "TIES", "NO OTHERS"
}

// FrameBound is UNBOUNDED PRECEDING|FOLLOWING, CURRENT ROW, or expr PRECEDING|FOLLOWING.
type FrameBound struct {
	Span
	Kind   string // "UNBOUNDED PRECEDING", "UNBOUNDED FOLLOWING", "CURRENT ROW", "PRECEDING", "FOLLOWING"
	Offset Expr
}

// CastKind says how a cast was written.
type CastKind uint8

const (
	CastCall     CastKind = iota // CAST(x AS t)
	CastTry                      // TRY_CAST(x AS t)
	CastSafe                     // SAFE_CAST(x AS t)
	CastOperator                 // x::t
	CastConvert                  // CONVERT(t, x) (T-SQL); Format holds the style
)

// Cast converts X to Type.
type Cast struct {
	Span
	Kind   CastKind
	X      Expr
	Type   *TypeName
	Format Expr // CAST(x AS t FORMAT 'fmt') (BigQuery, Teradata), CONVERT style
}

// Case is CASE [operand] WHEN ... THEN ... [ELSE ...] END.
type Case struct {
	Span
	Operand Expr
	Whens   []*When
	Else    Expr
}

// When is one WHEN cond THEN result arm.
type When struct {
	Span
	Cond   Expr
	Result Expr
}

// Between is X [NOT] BETWEEN [SYMMETRIC] Lo AND Hi.
type Between struct {
	Span
	X         Expr
	Not       bool
	Symmetric bool
	Lo, Hi    Expr
}

// In is X [NOT] IN (list) | (subquery) | UNNEST(array) (BigQuery) | param.
type In struct {
	Span
	X     Expr
	Not   bool
	List  []Expr
	Query *Query
	// Other is set for forms without a parenthesized list: IN UNNEST(arr), IN @param.
	Other Expr
}

// Like is X [NOT] LIKE|ILIKE|RLIKE|REGEXP|SIMILAR TO|GLOB [ANY|ALL] pattern [ESCAPE e].
type Like struct {
	Span
	X       Expr
	Not     bool
	Op      string // LIKE, ILIKE, RLIKE, REGEXP, SIMILAR TO, GLOB, MATCH
	Quant   string // "", "ANY", "ALL", "SOME"
	Pattern Expr
	Escape  Expr
}

// Is is X IS [NOT] NULL | TRUE | FALSE | UNKNOWN, and the postfix ISNULL / NOTNULL forms.
type Is struct {
	Span
	X     Expr
	Not   bool
	Value string // NULL, TRUE, FALSE, UNKNOWN
}

// IsDistinctFrom is X IS [NOT] DISTINCT FROM Y.
type IsDistinctFrom struct {
	Span
	X, Y Expr
	Not  bool
}

// Exists is EXISTS (query).
type Exists struct {
	Span
	Query *Query
}

// Subquery is a scalar (or row) subquery in an expression: (SELECT ...).
type Subquery struct {
	Span
	Query *Query
}

// Quantified is ANY|SOME|ALL (subquery or array) on the right of a comparison.
type Quantified struct {
	Span
	Quant string // ANY, SOME, ALL
	Query *Query
	X     Expr
}

// Array is an array literal: ARRAY[...], [...], ARRAY(subquery), ARRAY<T>[...]. With a Type,
// Elems is nil when no bracketed list was written.
type Array struct {
	Span
	Keyword bool
	Type    *TypeName
	Elems   []Expr
	Query   *Query
}

// Struct is a struct literal: STRUCT(1 AS a, ...), STRUCT<a INT64>(1), {'a': 1, ...} (DuckDB),
// named_struct is an ordinary Func.
type Struct struct {
	Span
	Keyword bool // STRUCT(...) as opposed to {...}
	Type    *TypeName
	Fields  []*StructField
}

// StructField is one member of a struct literal: Value [AS Name] or 'key': Value. Key is set
// for the brace form.
type StructField struct {
	Span
	Name  *Ident
	Key   Expr
	Value Expr
}

// Map is MAP {k: v, ...} (DuckDB) or MAP(k, v, ...) when written with the keyword and braces.
type Map struct {
	Span
	Entries []*MapEntry
}

// MapEntry is key: value.
type MapEntry struct {
	Span
	Key, Value Expr
}

// Index is X[Index] or a slice X[Lo:Hi] (Slice set; Lo/Hi may be nil).
type Index struct {
	Span
	X      Expr
	Index  Expr
	Slice  bool
	Lo, Hi Expr
	Step   Expr
}

// Field is X.Name where X is not a plain name: (expr).field, f(x).field, arr[0].field.
type Field struct {
	Span
	X    Expr
	Name *Ident
}

// Path is Snowflake/Databricks semi-structured access: X:a.b[0]."c". Elements are field names
// (Name set) or subscripts (Index set).
type Path struct {
	Span
	X     Expr
	Elems []*PathElem
}

// PathElem is one step of a Path. Colon marks a step written with ':' (the first, and any
// later colon), Bracket a step written as [expr] (Index) or ['key'].
type PathElem struct {
	Span
	Name    *Ident
	Index   Expr
	Colon   bool
	Bracket bool
}

// Lambda is params -> body (or DuckDB's lambda params: body).
type Lambda struct {
	Span
	Params  []*Ident
	Paren   bool
	Keyword bool // lambda x: body
	Body    Expr
}

// Collate is X COLLATE name.
type Collate struct {
	Span
	X         Expr
	Collation string
}

// AtTimeZone is X AT TIME ZONE zone (or AT LOCAL).
type AtTimeZone struct {
	Span
	X    Expr
	Zone Expr // nil for AT LOCAL
}

// Template is leftover Jinja ({{ var('x') }}) standing where an expression is expected.
type Template struct {
	Span
	Text string
}

// BadExpr covers an expression that could not be read.
type BadExpr struct {
	Span
}

// ---------------------------------------------------------------------------------------------
// Interface markers

func (*Query) stmtNode()       {}
func (*CreateTable) stmtNode() {}
func (*CreateView) stmtNode()  {}
func (*Insert) stmtNode()      {}
func (*Update) stmtNode()      {}
func (*Delete) stmtNode()      {}
func (*Merge) stmtNode()       {}
func (*Other) stmtNode()       {}
func (*BadStmt) stmtNode()     {}

func (*Select) queryNode()        {}
func (*SetOp) queryNode()         {}
func (*Values) queryNode()        {}
func (*ParenQuery) queryNode()    {}
func (*BadQuery) queryNode()      {}
func (*TemplateQuery) queryNode() {}

// KnownAs is the name a relation in a FROM clause is referred to by in the rest of its query:
// its alias, else a table's last name part; "" for what has neither.
func KnownAs(t TableExpr) string {
	switch x := t.(type) {
	case *TableName:
		if x.Alias != nil && x.Alias.Name != nil {
			return x.Alias.Name.Name
		}
		if x.Name != nil && len(x.Name.Parts) > 0 {
			return x.Name.Parts[len(x.Name.Parts)-1].Name
		}
	case *DerivedTable:
		if x.Alias != nil && x.Alias.Name != nil {
			return x.Alias.Name.Name
		}
	}
	return ""
}

func (*TableName) tableNode()     {}
func (*DerivedTable) tableNode()  {}
func (*TableFunc) tableNode()     {}
func (*Join) tableNode()          {}
func (*LateralView) tableNode()   {}
func (*ParenTable) tableNode()    {}
func (*Pivot) tableNode()         {}
func (*Unpivot) tableNode()       {}
func (*TemplateTable) tableNode() {}
func (*BadTable) tableNode()      {}

func (*ColumnRef) exprNode()      {}
func (*GroupingSet) exprNode()    {}
func (*Star) exprNode()           {}
func (*Literal) exprNode()        {}
func (*TypedLiteral) exprNode()   {}
func (*Interval) exprNode()       {}
func (*Param) exprNode()          {}
func (*Binary) exprNode()         {}
func (*Unary) exprNode()          {}
func (*Paren) exprNode()          {}
func (*Row) exprNode()            {}
func (*Func) exprNode()           {}
func (*NamedArg) exprNode()       {}
func (*KeywordArg) exprNode()     {}
func (*Extract) exprNode()        {}
func (*Cast) exprNode()           {}
func (*Case) exprNode()           {}
func (*Between) exprNode()        {}
func (*In) exprNode()             {}
func (*Like) exprNode()           {}
func (*Is) exprNode()             {}
func (*IsDistinctFrom) exprNode() {}
func (*Exists) exprNode()         {}
func (*Subquery) exprNode()       {}
func (*Quantified) exprNode()     {}
func (*Array) exprNode()          {}
func (*Struct) exprNode()         {}
func (*Map) exprNode()            {}
func (*Index) exprNode()          {}
func (*Field) exprNode()          {}
func (*Path) exprNode()           {}
func (*Lambda) exprNode()         {}
func (*Collate) exprNode()        {}
func (*AtTimeZone) exprNode()     {}
func (*Template) exprNode()       {}
func (*BadExpr) exprNode()        {}
