import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import { sourceFiles } from '../../support/source-files';
import {
  functionTables,
  migrationFunctions,
  misplaced,
  movedNotDocumentUpdate,
  PRODUCT_FOLDERS,
  productTableWrites,
  stringLiterals,
  TABLE_HOME,
  tableWritesIn,
  WATCHED_TABLES,
} from '../../support/table-writers';

/**
 * One writer per table (issue 18): every statement that writes `outbox`, `dispatches`, `documents`
 * or `ledger` is in that table's module; workers and web call those modules' functions. The
 * documents' module may write a document's dispatches and outbox rows in the same statement as the
 * document (a combined statement, one round trip). In the database, the only functions writing
 * them are ledger_append() / ledger_append_many() (every ledger row) and record_dispatch_outcome() /
 * record_hosted_outcomes() (a delivery's outcome), each called from its table's module only.
 */
describe('architecture: one writer per table (outbox, dispatches, documents, ledger)', () => {
  const root = projectRoot();
  const functions = migrationFunctions(path.join(root, 'infra', 'migrations'));
  const tablesOf = functionTables(functions);

  it('when the product code writes a watched table, then it does so in that table\'s module (or a combined statement of the documents\' module)', () => {
    const writes = productTableWrites(root, tablesOf);
    for (const table of WATCHED_TABLES) expect(writes.filter((w) => w.table === table), `the writes of ${table} were found`).to.not.be.empty;
    expect(writes.map(misplaced).filter(Boolean), 'writes outside their table\'s module: call its repository instead').to.deep.equal([]);
    for (const table of WATCHED_TABLES) {
      const files = [...new Set(writes.filter((w) => w.table === table).map((w) => w.file))];
      expect(files, `modules writing ${table}`).to.include(TABLE_HOME[table]);
    }
    // The parts of its combined statements read `moved`: there, `moved` is always the document's own move.
    const documents = fs.readFileSync(path.join(root, TABLE_HOME.documents), 'utf8');
    expect(movedNotDocumentUpdate(documents), 'a `moved` CTE that is not the UPDATE of documents').to.deep.equal([]);
    expect(documents.match(/\bmoved\s+AS\s*\(/gi), 'the check saw the module\'s moves').to.have.length.greaterThan(1);
  });

  it('when a part of a combined statement reads `moved` without moving the document, then the documents\' module may write dispatches and outbox in it, and no other module may', () => {
    const part = `channels AS (UPDATE dispatches x SET channel = a.channel FROM moved, agencies a WHERE x.document_id = moved.id)`;
    const w = (file: string, literal: string) => tableWritesIn(file, `const P = \`${literal}\`;`);
    expect(w(TABLE_HOME.documents, part).map(misplaced)).to.deep.equal([undefined]);
    expect(w('services/web/x.ts', part).map(misplaced)[0]).to.match(/UPDATE dispatches/);
    // a part that defines its own `moved` is a statement of its own: it must move the document itself
    expect(w(TABLE_HOME.documents, `WITH moved AS (SELECT 1 AS id) UPDATE dispatches x SET channel = 'hosted' FROM moved`).map(misplaced)[0]).to.match(/UPDATE dispatches/);
    expect(w(TABLE_HOME.documents, `UPDATE dispatches SET channel = 'hosted'`).map(misplaced)[0]).to.match(/UPDATE dispatches/);
    expect(movedNotDocumentUpdate(`const Q = \`WITH moved AS (UPDATE dispatches SET x = 1 RETURNING id) SELECT 1\`;`)).to.deep.equal([1]);
  });

  it('when the migrations are applied, then only ledger_append[_many]() and record_dispatch_outcome() / record_hosted_outcomes() write the watched tables, and nothing else calls the ledger\'s functions', () => {
    expect(functions.size, 'the functions were read from the migrations').to.be.greaterThan(10);
    const writers = [...functions.values()].filter((f) => f.writes.length > 0).map((f) => `${f.name}: ${f.writes.join(', ')}`);
    expect(writers).to.have.members([
      'ledger_append: ledger',
      // Several rows of one chain under one lock (issue 25: a document's hosted copies), called
      // only from the ledger's module (ledgerAppendManySql).
      'ledger_append_many: ledger',
      'record_dispatch_outcome: dispatches',
      // The outcome of a document's hosted copies; like record_dispatch_outcome() it appends no
      // ledger row: its statement (recordHostedOutcomes) does, with the ledger module's call.
      'record_hosted_outcomes: dispatches',
      // (Until migration 0093 a trigger also updated documents when the extracted text changed;
      // the search row now lives in document_search and no trigger writes documents.)
    ]);
    const ledgerCallers = [...functions.values()].filter((f) => f.calls.includes('ledger_append') || f.calls.includes('ledger_append_many')).map((f) => f.name);
    expect(ledgerCallers, 'SQL functions that append ledger rows themselves').to.deep.equal([]);
  });

  it('when the statements are read, then the lexer finds every write a plain search of the non-comment lines finds (the check sees them all)', () => {
    const plain = /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:outbox|dispatches|documents|ledger)\b/gi;
    let fromLines = 0;
    let fromLexer = 0;
    for (const file of PRODUCT_FOLDERS.flatMap((top) => sourceFiles(path.join(root, top)))) {
      const text = fs.readFileSync(file, 'utf8');
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      fromLines += [...code.matchAll(plain)].length;
      fromLexer += tableWritesIn(file, text).length;
    }
    expect(fromLines).to.be.greaterThan(20);
    expect(fromLexer).to.equal(fromLines);
  });

  it('when a write hides in a worker, a route, a multi-line CTE or a schema-qualified name, then the check names it (the check can fail)', () => {
    const source = [
      "await db.query(`UPDATE dispatches SET next_attempt_at = NULL WHERE id = $1`, [id]);",
      'await tx.query(`WITH failed AS (',
      '   UPDATE',
      '     documents SET status = \'failed\' WHERE id = $1 RETURNING id',
      ' ) INSERT INTO public.outbox (topic, payload, priority) SELECT ${topic}, \'{}\', 0 FROM failed`);',
      "await db.query('DELETE FROM \"ledger\" WHERE id = $1', [id]);",
      "await db.query(\"SELECT record_dispatch_outcome($1)\");",
      'await db.query(`TRUNCATE TABLE ONLY outbox`);',
    ].join('\n');
    const found = tableWritesIn('workers/stages/example.job.ts', source, new Map([['record_dispatch_outcome', new Set(['dispatches' as const])]]));
    expect(found.map((w) => `${w.line} ${w.how} ${w.table}`)).to.deep.equal([
      '1 UPDATE dispatches',
      '3 UPDATE documents',
      '5 INSERT INTO outbox',
      '6 DELETE FROM ledger',
      '7 record_dispatch_outcome() dispatches',
      '8 TRUNCATE TABLE ONLY outbox',
    ]);
    expect(found.map(misplaced).filter(Boolean)).to.have.length(6);
  });

  it('when SQL only reads the tables, sits in a comment, or writes a table of a similar name, then the check lets it be', () => {
    const source = [
      '// UPDATE documents SET status = $1 (a comment)',
      '/** INSERT INTO outbox … the relay publishes it */',
      "const q = `SELECT * FROM documents d JOIN dispatches x ON x.document_id = d.id FOR UPDATE`;",
      "await tx.query(`INSERT INTO dispatch_events (dispatch_id) VALUES ($1)`);",
      "await tx.query(`INSERT INTO document_files (document_id) VALUES ($1) ON CONFLICT DO UPDATE SET name = 'x'`);",
      "await tx.query(`UPDATE ledger_anchors SET at = now()`);",
      "const re = /['`]/; const s = 'UPDATE of documents is described here';",
    ].join('\n');
    expect(tableWritesIn('services/web/x.ts', source)).to.deep.equal([]);
  });

  it('when the documents\' module writes dispatches or outbox rows, then only in a statement that writes the document too', () => {
    const home = TABLE_HOME.documents;
    const combined = tableWritesIn(home, "const S = `WITH moved AS (UPDATE documents SET status = $2 WHERE id = $1 RETURNING id) INSERT INTO outbox (topic) SELECT 'x' FROM moved`;");
    expect(combined.map(misplaced).filter(Boolean)).to.deep.equal([]);
    const alone = tableWritesIn(home, "const S = `UPDATE dispatches SET opened_at = now() WHERE id = $1`;");
    expect(alone.map(misplaced)).to.deep.equal([`${home}:1: UPDATE dispatches (its writer is ${TABLE_HOME.dispatches})`]);
  });

  it('when the migrations are read, then a later definition or DROP of a function wins', () => {
    const latest = functions.get('record_dispatch_outcome')!;
    expect(latest.migration, 'record_dispatch_outcome as the last migration defines it').to.not.equal('0012_ledger_append_dispatch_outcome.sql');
    expect(latest.calls).to.not.include('ledger_append');
    expect(stringLiterals("x(`a ${f(`b`)} c`, 'd')").map((l) => l.text)).to.deep.equal(['b', 'a   c', 'd']);
  });
});
