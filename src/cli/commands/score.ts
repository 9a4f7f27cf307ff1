/** `score`: an answer file against a truth file in the same format, with the challenge grader. */
import { readFileSync } from 'node:fs';
import { scoreAnswerAgainstTruth } from '../../io/answerFile';
import { FileProblem } from '../../node/imageFiles';
import { numberOption, requiredString, type Command } from '../framework';
import { errorMessage } from '../../util/errorMessage';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FileProblem(code === 'ENOENT' ? `${what} file ${path} does not exist` : `cannot read ${what} file ${path}: ${errorMessage(e)}`);
  }
}

export const scoreCommand: Command = {
  name: 'score',
  summary: 'Grade an answer file ({"1": [car_b64png, road_b64png], ...}) against a truth file; prints JSON.',
  usage: '--answer ANSWER.json --truth TRUTH.json [--fps FPS]',
  description: 'Frames missing from the answer count as empty masks; frames only in the answer are ignored.',
  options: {
    answer: { type: 'string', short: 'a', value: 'FILE', required: true, description: 'answer file' },
    truth: { type: 'string', short: 't', value: 'FILE', required: true, description: 'truth file in the same format' },
    fps: { type: 'string', value: 'FPS', description: 'frames per second, for the final score 100 * score - max(0, 10 - FPS)' },
  },
  examples: ['score --answer answer.json --truth truth.json --fps 20.8'],
  async run(values, io) {
    const answer = readText(requiredString(values, 'answer'), 'answer');
    const truth = readText(requiredString(values, 'truth'), 'truth');
    const fps = values.fps === undefined ? undefined : numberOption(values, 'fps', 0, { min: 0, max: Infinity });
    io.stdout(JSON.stringify(scoreAnswerAgainstTruth(answer, truth, { fps }), null, 2) + '\n');
    return 0;
  },
};
