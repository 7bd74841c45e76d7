"""RabbitMQ: the topology, the codec between events and AMQP messages, publishing and consuming."""
