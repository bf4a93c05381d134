import type { Urgency } from '../../contracts';

/** BullMQ priority per urgency (lower runs first; 0 would mean "no priority", slower in BullMQ). */
export function priorityOf(urgency: Urgency): number {
  switch (urgency) {
    case 'flash':
      return 1;
    case 'very_urgent':
      return 2;
    case 'urgent':
      return 3;
    case 'normal':
      return 10;
  }
}
