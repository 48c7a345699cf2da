import { Type } from 'typebox';

export const MaintenanceObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the maintenance window.' }),
  title: Type.String({ description: 'Short title of the maintenance.' }),
  notice: Type.String({ description: 'What will happen and what clients should expect.' }),
  notification_only: Type.Boolean({
    description: 'True when the window is a notice only and the API stays available throughout.',
  }),
  start_date: Type.String({ description: "When the window starts, YYYY-MM-DD HH:MM:SS in the site's time zone.", 'x-datatype': 'date-time' }),
  end_date: Type.String({ description: "When the window ends, YYYY-MM-DD HH:MM:SS in the site's time zone.", 'x-datatype': 'date-time' }),
});
