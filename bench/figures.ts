/** One line of the bench's table: a figure, its baseline measured in the same run, their ratio and the goal. run.ts prints them all. */
export interface FigureRow {
  what: string;
  steward: string;
  bare: string;
  ratio: string;
  goal: string;
  met: boolean | undefined;
}
