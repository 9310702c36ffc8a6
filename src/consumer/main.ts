// Standalone entry of the sample consumer (`node dist/src/consumer/main.js --port 12346`), usable before
// and besides `doctor consumer`.
import { runConsumerCommand } from './command.js';
import { errorText } from '../util/error-text.js';

runConsumerCommand(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`doctor consumer: ${errorText(err)}\n`);
    process.exitCode = 1;
  },
);
