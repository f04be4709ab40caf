import nodemailer from "nodemailer";

export interface Email {
  to: string;
  subject: string;
  text: string;
}

/** Sends one email; rejects if the server did not accept it. */
export interface Mailer {
  send(email: Email): Promise<void>;
  close(): void;
}

export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(email) {
      await transport.sendMail({ from, to: email.to, subject: email.subject, text: email.text });
    },
    close: () => transport.close(),
  };
}
