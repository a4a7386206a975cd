/**
 * A plausible fresh-produce product (sheet 1, "Rau, củ, quả, hạt tươi"), chosen and added up by hand from the
 * decision text: Part A 12 + 9 + 10 = 31, Part B 8 + 9 = 17, Part C 10 + 3 + 3 + 4 + 3 + 2 + 1 = 26, total 74.
 * It reaches every *** and **** minimum of the sheet and none of the ***** ones it does not need.
 */
export const FRESH_74: Readonly<Record<string, string>> = {
  '1.1': 'c', // 75%–100% grown in the commune: 3
  '1.2': 'b', // VietGAP: 1
  '1.3': 'b', // machines: 2
  '1.4': 'b', // medium scale: 2
  '1.5': 'c', // > 75% under contract ****: 2
  '1.6': 'a', // environmental dossier ****: 1
  '1.7': 'b', // sustainable technology: 1
  '2.1': 'c', // provincial speciality with GI ****: 3
  '2.2': 'c', // creative packaging ***: 2
  '2.3': 'c', // label with traceability code ****: 3
  '2.4': 'b', // bilingual label (printed without tick-boxes): 1
  '3.1': 'c', // cooperative: 3
  '3.2': 'a', // representative not in the priority groups: 0
  '3.3': 'c', // ≥ 75% local labour: 3
  '3.4': 'b', // two years of profit growth ****: 2
  '3.5': 'b', // registered trademark ****: 2
  '4.1': 'c', // ≥ 5 distributors outside the commune ****: 3
  '4.2': 'c', // distribution department: 2
  '4.3': 'd', // promotion outside the province: 3
  '5.1': 'e', // story in the traceability content ****: 5
  '5.2': 'b', // concise: 1
  '5.3': 'c', // traditional and local: 3
  '6.1': 'c', // uniform ****: 2
  '6.2': 'd', // suitable ****: 3
  '6.3': 'd', // good: 3
  '6.4': 'c', // good: 2
  '7': 'c', // more than 2 nutrients: 3
  '8': 'c', // distinctive ****: 3
  '9': 'b', // declared to national standards: 4
  '10': 'b', // ISO/HACCP ****: 3
  '11': 'b', // detailed instructions: 2
  '12': 'a', // exportable within ASEAN: 1
};

/** FRESH_74 lowered by 1 point each on criteria without stars below the chosen option: 73, 72, 71, 70, 69. */
export const DOWN_ONE = [{ '1.2': 'a' }, { '1.3': 'a' }, { '1.4': 'a' }, { '6.3': 'c' }, { '6.4': 'b' }] as const;

/**
 * The tourism sheet (26) with the first printed option everywhere: Part A 1+1+1+1 + 1+1+1 + 1+0+1+1+1 = 11,
 * Part B 1+1+1+1+1 + 1+1+1 = 8, Part C twelve criteria at 1 = 12; total 31.
 */
export const TOURISM_FIRST_OPTIONS = 31;
