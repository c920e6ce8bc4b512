import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../../src/config/load.js';
import { exposures, isLoopback } from '../../../src/config/exposure.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const TOKEN = 'a-token-of-24-characters';
const warnings = (text: string): readonly string[] => checkConfig({ file: { path: 'cluster.conf', text }, hostname: 'node1' }).warnings;
/** Every listener on loopback: no warning about authentication. */
const LOCAL = '[agent]\nbind_address = 127.0.0.1\nweb = 127.0.0.1:8080\n[raft]\nlisten = 127.0.0.1:5001\n';

describe('config warnings: [nodes] without this agent', () => {
  it('a [nodes] list that leaves out this agent is a warning at the [nodes] line', () => {
    expect(warnings(`${LOCAL}[nodes]\nnode2 = "10.0.0.2"\nnode3 = "10.0.0.3"\n`)).toEqual([
      'cluster.conf:6: [nodes] lists 2 agents but not this one (node1): check [agent] id, or add this agent to [nodes] on every agent',
    ]);
  });

  it('a [nodes] list with this agent, or no [nodes] at all, is no warning', () => {
    expect(warnings(`${LOCAL}[nodes]\nnode1 = "10.0.0.1"\nnode2 = "10.0.0.2"\n`)).toEqual([]);
    expect(warnings(LOCAL)).toEqual([]);
  });
});

describe('config warnings: listeners beyond loopback without authentication', () => {
  it('gossip beyond loopback without [cluster] encrypt_key is a warning at bind_address', () => {
    expect(warnings('[agent]\nweb = 127.0.0.1:8080\nbind_address = 0.0.0.0\n')).toEqual([
      'cluster.conf:3: gossip on 0.0.0.0:7946 is not authenticated (no [cluster] encrypt_key): anyone who can send it a packet can forge membership',
    ]);
  });

  it('the default gossip listener (every address, no key) is a warning too, placed at the file', () => {
    expect(warnings('')).toEqual([expect.stringMatching(/^cluster\.conf: gossip on 0\.0\.0\.0:7946 is not authenticated/)]);
  });

  it('the raft role beyond loopback with neither [raft] token nor encrypt_key is a warning; either one authenticates it', () => {
    const raft = '[agent]\nbind_address = 127.0.0.1\nweb = 127.0.0.1:8080\nroles = raft\napi_token = ' + TOKEN + '\n[raft]\nlisten = 10.0.0.1:5001\n';
    expect(warnings(raft)).toEqual([
      'cluster.conf:7: Raft traffic on 10.0.0.1:5001 is not authenticated (neither [raft] token nor [cluster] encrypt_key): anyone who can connect can pose as a member',
    ]);
    expect(warnings(`${raft}token = raft-token-of-24-chars\n`)).toEqual([]);
    expect(warnings(`${raft}[cluster]\nencrypt_key = ${KEY}\n`)).toEqual([]);
  });

  it('an HTTP API beyond loopback without [agent] api_token is a warning, for the web and the raft listener', () => {
    const text = `[cluster]\nencrypt_key = ${KEY}\n[agent]\nbind_address = 0.0.0.0\nweb = 0.0.0.0:8080\nroles = raft\n[raft]\nlisten = 0.0.0.0:5001\n`;
    expect(warnings(text)).toEqual([
      'cluster.conf:5: the HTTP API on 0.0.0.0:8080 takes changes without a token (no [agent] api_token): anyone who can connect can change the cluster',
      'cluster.conf:8: the Raft HTTP API on 0.0.0.0:5001 takes changes without a token (no [agent] api_token): anyone who can connect can change the cluster',
    ]);
    expect(warnings(`${text}[agent]\napi_token = ${TOKEN}\n`)).toEqual([]);
  });

  it('with api_token set, a Raft transport without a secret is a warning even on loopback: the token does not guard it', () => {
    const raft = `[agent]\nbind_address = 127.0.0.1\nweb = 127.0.0.1:8080\nroles = raft\napi_token = ${TOKEN}\n[raft]\nlisten = 127.0.0.1:5001\n`;
    expect(warnings(raft)).toEqual([expect.stringMatching(/^cluster\.conf:7: Raft traffic on 127\.0\.0\.1:5001 is not authenticated .*api_token does not guard it/)]);
    expect(warnings(`${raft}token = raft-token-of-24-chars\n`)).toEqual([]);
    expect(warnings(raft.replace(`api_token = ${TOKEN}\n`, ''))).toEqual([]);
  });

  it('the raft listener is not looked at when the raft role does not run', () => {
    expect(warnings('[agent]\nbind_address = 127.0.0.1\nweb = 127.0.0.1:8080\n[raft]\nlisten = 0.0.0.0:5001\n')).toEqual([]);
  });

  it('loopback is 127.0.0.0/8, ::1 and localhost; a wildcard or another address is beyond it', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'db1.example.com', '128.0.0.1']) expect(isLoopback(host), host).toBe(false);
  });

  it('each exposure names the listener it is about', () => {
    const config = checkConfig({ file: { path: 'c', text: '[agent]\nweb = 0.0.0.0:8080\nroles = raft\n' }, hostname: 'node1' }).config;
    expect(exposures(config).map((e) => e.listener)).toEqual(['gossip', 'raft', 'http', 'http']);
  });
});
