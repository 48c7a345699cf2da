import { Type } from 'typebox';
import { BoolInput, IdInput, IdentifyingText } from '../../http/schemas.ts';

/** `YYYY-MM-DD`: a site-local day; whether the day exists is the service's check. */
const DateInput = (field: string, description: string) =>
  Type.String({
    pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
    description,
    'x-error': `Invalid ${field} found (expected YYYY-MM-DD)`,
    'x-datatype': 'date',
  });

/** A holiday as `GET /holiday` shows it. */
export const HolidayObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the holiday.' }),
  name: Type.String({ description: 'The name of the holiday.' }),
  start_date: Type.String({ description: 'The first day, YYYY-MM-DD in the site’s time zone.', 'x-datatype': 'date' }),
  end_date: Type.String({ description: 'The last day, included.', 'x-datatype': 'date' }),
  yearly: Type.Boolean({ description: 'Whether the days repeat every year (the year of the dates is then ignored).' }),
});

const START = 'The first day of the holiday, YYYY-MM-DD in the site’s time zone.';
const END = 'The last day, included; defaults to start_date. A yearly holiday may end in the next year (Dec 24 to Jan 2).';
const YEARLY = 'true: the same days every year; defaults to false.';

/** One record of `POST /holiday` (extension). */
export const HolidayCreate = Type.Object(
  {
    name: IdentifyingText('name', 'The name of the holiday; unique within the site.'),
    start_date: DateInput('start_date', START),
    end_date: Type.Optional(DateInput('end_date', END)),
    yearly: Type.Optional(BoolInput('yearly', YEARLY)),
  },
  { required: ['name', 'start_date'] },
);

/** One record of `PUT /holiday` (extension): only the properties supplied change. */
export const HolidayUpdate = Type.Object(
  {
    id: IdInput('id', 'The unique, system assigned id of the holiday to update.'),
    name: Type.Optional(IdentifyingText('name', 'The new name of the holiday; unique within the site.')),
    start_date: Type.Optional(DateInput('start_date', START)),
    end_date: Type.Optional(DateInput('end_date', END)),
    yearly: Type.Optional(BoolInput('yearly', YEARLY)),
  },
  { required: ['id'] },
);

/** One record of `DELETE /holiday` (extension). */
export const HolidayDelete = Type.Object({ id: IdInput('id', 'The unique, system assigned id of the holiday.') }, { required: ['id'] });
