// The parts of Zoom's documented payloads this product reads.
export interface ZoomMeetingPayload {
  id: number | string;
  uuid?: string;
  host_id?: string;
  topic?: string;
  start_time?: string;
  duration?: number;
  timezone?: string;
  join_url?: string;
  registration_url?: string;
  settings?: { approval_type?: number };
}

export interface ZoomRegistrant {
  id?: string | number;
  registrant_id?: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  join_url?: string;
  status?: string;
}

export interface ZoomRegistrantsPage {
  page_size?: number;
  total_records?: number;
  next_page_token?: string;
  registrants?: (ZoomRegistrant & { id: string })[];
}

/** One join..leave segment of one participant (a rejoin is another entry). */
export interface ZoomReportParticipant {
  id?: string;
  user_id?: string;
  name?: string;
  user_email?: string;
  join_time: string;
  leave_time?: string;
  duration?: number;
  status?: string;
  registrant_id?: string;
  participant_user_id?: string;
}

export interface ZoomReportPage {
  page_count?: number;
  page_size?: number;
  total_records?: number;
  next_page_token?: string;
  participants?: ZoomReportParticipant[];
}

/** A webhook event body. */
export interface ZoomEvent {
  event: string;
  event_ts?: number;
  payload?: {
    account_id?: string;
    plainToken?: string;
    object?: {
      id?: number | string;
      uuid?: string;
      host_id?: string;
      topic?: string;
      start_time?: string;
      end_time?: string;
      participant?: {
        user_id?: string;
        user_name?: string;
        id?: string;
        participant_uuid?: string;
        email?: string;
        registrant_id?: string;
        join_time?: string;
        leave_time?: string;
        leave_reason?: string;
        participant_user_id?: string;
      };
    };
  };
}
