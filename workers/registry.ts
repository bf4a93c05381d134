import { Stage } from '../contracts';
import type { StageHandler } from './runtime/stage-context';
import { convertStage } from './stages/convert.job';
import { deliverStage } from './stages/deliver.job';
import { notifyStage } from './stages/notify.job';
import { routeStage } from './stages/route.job';
import { signStage } from './stages/sign.job';

/** Every stage has exactly one handler: a missing one is a compile error (the mapped type). */
export const HANDLERS: { [S in Stage]: StageHandler<S> } = {
  [Stage.convert]: convertStage,
  [Stage.sign]: signStage,
  [Stage.route]: routeStage,
  [Stage.deliver]: deliverStage,
  [Stage.notify]: notifyStage,
};
