import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Providers } from "./_components/trpc-provider";
import "./globals.css";

export const metadata: Metadata = {
  title: "Streamware",
  description: "Build, run and watch workflows",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
