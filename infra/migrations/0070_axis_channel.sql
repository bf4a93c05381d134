-- The national axis as a delivery channel (issue 22): a recipient known only through the axis is
-- reached by sending the signed document's edXML envelope to the axis, under the delivery rules
-- (attempts, budget, alert, operator retry) like a push or a relay.
ALTER TABLE agencies DROP CONSTRAINT agencies_channel_check;
ALTER TABLE agencies ADD CONSTRAINT agencies_channel_check CHECK (channel IN ('hosted', 'push', 'paper', 'relay', 'axis'));
ALTER TABLE dispatches DROP CONSTRAINT dispatches_channel_check;
ALTER TABLE dispatches ADD CONSTRAINT dispatches_channel_check CHECK (channel IN ('hosted', 'push', 'paper', 'relay', 'axis'));
UPDATE agencies SET channel = 'axis' WHERE reached_via = 'axis';
