import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../services/config/project-root';
import { EdxmlError, type EdxmlErrorCode, type EdxmlMessage } from '../../../services/edxml/edxml-types';
import { parseEdxml } from '../../../services/edxml/parse-edxml';

/** A stand-alone build outside the repository has no package.json above it: then run from the repository root. */
function repoRoot(): string {
  try {
    return projectRoot();
  } catch {
    return process.cwd();
  }
}

/** Our own fixtures, always present. */
export const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'edxml');
/** Vendor samples shared beside the repository; read in place, never copied in. */
export const SHARED_SAMPLES = path.join(repoRoot(), '..', 'shared', 'interop', 'edxml');

export const fixture = (name: string): Buffer => fs.readFileSync(path.join(FIXTURES, name));
export const fixtureText = (name: string): string => fixture(name).toString('utf8');

export function parseFixture(name: string): EdxmlMessage {
  return parseEdxml(fixture(name));
}

export function documentOf(m: EdxmlMessage) {
  if (m.kind !== 'document') throw new Error(`expected a document, got a ${m.kind}`);
  return m.document;
}

export function statusOf(m: EdxmlMessage) {
  if (m.kind !== 'status') throw new Error(`expected a status, got a ${m.kind}`);
  return m.status;
}

/** Runs fn, expects an EdxmlError with that code (and, if given, an element containing `element`). */
export function expectEdxmlError(fn: () => unknown, code: EdxmlErrorCode, element?: string | RegExp): EdxmlError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'an EdxmlError was thrown').to.be.instanceOf(EdxmlError);
  const err = caught as EdxmlError;
  expect(err.code, err.message).to.equal(code);
  if (typeof element === 'string') expect(err.element, err.message).to.contain(element);
  if (element instanceof RegExp) expect(err.element, err.message).to.match(element);
  expect(err.message.length).to.be.greaterThan(10);
  return err;
}
