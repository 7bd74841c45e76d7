"""What puts JobRequested on the bus: the HTTP ingress (`producers.http`)."""
