/**
 * What other capabilities use of the operator's console (the licence pages, src/licences/): who
 * the operator is, and the operator's own trail. Operator code reaches the database only through
 * asOperator (operator-scope.ts).
 */
export { operatorContextOf, recordOperatorEvent, type OperatorContext, type OperatorEvent } from "./operator-context.ts";
export { asOperator } from "./operator-scope.ts";
export { operatorPage } from "./operator-pages.ts";
