import { describeRaftSuite, seedRange } from './raft-suite.js';

// Whole 5-server Raft groups under the full nemesis, one test per seed (see raft-suite.ts).
describeRaftSuite(5, seedRange(300), 'test/sim/raft-five.test.ts');
