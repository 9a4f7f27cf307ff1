import * as tf from '@tensorflow/tfjs';
import { describeForwardParity } from '../support/forwardParity';

describeForwardParity('cpu', async () => {
  await tf.setBackend('cpu');
});
