package sqlite

// migrations are applied in order, each in its own transaction; the number of
// applied migrations is kept in PRAGMA user_version. Append only: never edit
// a migration that has shipped.
var migrations = []string{
	// 1: REST APIs, their resources, gateway-response customizations, tags.
	`
CREATE TABLE rest_apis (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	id      TEXT NOT NULL,
	doc     TEXT NOT NULL,
	UNIQUE (account, region, id)
);
CREATE TABLE resources (
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	api_id  TEXT NOT NULL,
	id      TEXT NOT NULL,
	doc     TEXT NOT NULL,
	PRIMARY KEY (account, region, api_id, id),
	FOREIGN KEY (account, region, api_id) REFERENCES rest_apis (account, region, id) ON DELETE CASCADE
);
CREATE TABLE gateway_responses (
	account       TEXT NOT NULL,
	region        TEXT NOT NULL,
	api_id        TEXT NOT NULL,
	response_type TEXT NOT NULL,
	doc           TEXT NOT NULL,
	PRIMARY KEY (account, region, api_id, response_type),
	FOREIGN KEY (account, region, api_id) REFERENCES rest_apis (account, region, id) ON DELETE CASCADE
);
CREATE TABLE tags (
	account  TEXT NOT NULL,
	region   TEXT NOT NULL,
	resource TEXT NOT NULL,
	key      TEXT NOT NULL,
	value    TEXT NOT NULL,
	PRIMARY KEY (account, region, resource, key)
);
`,
	// 2: deployments and stages. seq orders them by creation and survives
	// updates of the document.
	`
CREATE TABLE deployments (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	api_id  TEXT NOT NULL,
	id      TEXT NOT NULL,
	doc     TEXT NOT NULL,
	UNIQUE (account, region, api_id, id),
	FOREIGN KEY (account, region, api_id) REFERENCES rest_apis (account, region, id) ON DELETE CASCADE
);
CREATE TABLE stages (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	api_id  TEXT NOT NULL,
	name    TEXT NOT NULL,
	doc     TEXT NOT NULL,
	UNIQUE (account, region, api_id, name),
	FOREIGN KEY (account, region, api_id) REFERENCES rest_apis (account, region, id) ON DELETE CASCADE
);
`,
}
