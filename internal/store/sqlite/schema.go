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
	// 3: API keys, usage plans and their keys, account settings, daily
	// usage. A key's value is unique in its scope, as the data plane finds
	// keys by value. Deleting a plan or a key removes its memberships;
	// deleting a plan removes its usage, but usage stays after its key's
	// deletion (AWS keeps reporting it).
	`
CREATE TABLE api_keys (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	id      TEXT NOT NULL,
	value   TEXT NOT NULL,
	doc     TEXT NOT NULL,
	UNIQUE (account, region, id),
	UNIQUE (account, region, value)
);
CREATE TABLE usage_plans (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	id      TEXT NOT NULL,
	doc     TEXT NOT NULL,
	UNIQUE (account, region, id)
);
CREATE TABLE usage_plan_keys (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	key_id  TEXT NOT NULL,
	UNIQUE (account, region, plan_id, key_id),
	FOREIGN KEY (account, region, plan_id) REFERENCES usage_plans (account, region, id) ON DELETE CASCADE,
	FOREIGN KEY (account, region, key_id) REFERENCES api_keys (account, region, id) ON DELETE CASCADE
);
-- The cascade from api_keys looks memberships up by key.
CREATE INDEX usage_plan_keys_by_key ON usage_plan_keys (account, region, key_id);
CREATE TABLE accounts (
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	doc     TEXT NOT NULL,
	PRIMARY KEY (account, region)
);
CREATE TABLE usage (
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	key_id  TEXT NOT NULL,
	day     TEXT NOT NULL,
	used    INTEGER NOT NULL,
	granted INTEGER NOT NULL,
	PRIMARY KEY (account, region, plan_id, key_id, day),
	FOREIGN KEY (account, region, plan_id) REFERENCES usage_plans (account, region, id) ON DELETE CASCADE
);
`,
	// 4: models and request validators (issue 6: models and request
	// validation). A model is keyed by its name, as the API addresses it.
	`
CREATE TABLE models (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	api_id  TEXT NOT NULL,
	name    TEXT NOT NULL,
	doc     TEXT NOT NULL,
	UNIQUE (account, region, api_id, name),
	FOREIGN KEY (account, region, api_id) REFERENCES rest_apis (account, region, id) ON DELETE CASCADE
);
CREATE TABLE request_validators (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	api_id  TEXT NOT NULL,
	id      TEXT NOT NULL,
	doc     TEXT NOT NULL,
	UNIQUE (account, region, api_id, id),
	FOREIGN KEY (account, region, api_id) REFERENCES rest_apis (account, region, id) ON DELETE CASCADE
);
`,
	// 5: authorizers (issue 7, Lambda and Cognito authorizers), ordered by
	// creation like deployments and stages.
	`
CREATE TABLE authorizers (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	api_id  TEXT NOT NULL,
	id      TEXT NOT NULL,
	doc     TEXT NOT NULL,
	UNIQUE (account, region, api_id, id),
	FOREIGN KEY (account, region, api_id) REFERENCES rest_apis (account, region, id) ON DELETE CASCADE
);
`,
}
