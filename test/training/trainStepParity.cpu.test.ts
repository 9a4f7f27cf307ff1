import * as tf from '@tensorflow/tfjs';
import { CPU_TOLERANCES, describeTrainStepParity } from '../support/trainStepParity';

describeTrainStepParity('cpu', async () => {
  await tf.setBackend('cpu');
}, CPU_TOLERANCES);
