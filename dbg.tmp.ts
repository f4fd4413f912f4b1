import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './src/engine/backend-node';
import { fusedBatchNormTrain } from './src/engine/kernels/fused-bn';
await initNodeBackend();
const x = tf.randomNormal([2,2,2,3],0,1,'float32',1) as tf.Tensor4D; const g=tf.tensor1d([1,2,0.5]); const b=tf.tensor1d([0,0.1,0.2]);
const r = tf.randomNormal([2,2,2,3],0,1,'float32',4);
const f = tf.grads((xx:tf.Tensor,gg:tf.Tensor,bb:tf.Tensor)=>{const o=fusedBatchNormTrain(xx as tf.Tensor4D,gg,bb,1e-5,false); return tf.sum(tf.mul(o.y,r));})([x,g,b]);
const p = tf.grads((xx:tf.Tensor,gg:tf.Tensor,bb:tf.Tensor)=>{const m=tf.moments(xx,[0,1,2]); return tf.sum(tf.mul(tf.batchNorm(xx,m.mean,m.variance,bb,gg,1e-5),r));})([x,g,b]);
for (let i=0;i<3;i++){ console.log(i, Array.from(await f[i].data()).map(v=>v.toFixed(3)).join(' ')); console.log(i, Array.from(await p[i].data()).map(v=>v.toFixed(3)).join(' '));}
process.exit(0);
