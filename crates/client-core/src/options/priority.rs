//! [`Priority`]: the order and fair share in which a task queue dispatches tasks.

use temporal_proto::temporal::api::common::v1 as proto;

use crate::validation::{InvalidRequest, fits_i32};

/// How the task queue orders this workflow's tasks against others.
///
/// ```
/// # use temporal_client_core::options::Priority;
/// let priority = Priority::new().priority_key(1).fairness_key("tenant-a");
/// assert_eq!(priority.priority_key, Some(1));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Priority {
    /// Lower numbers run first; 1 is the highest priority. Unset means the server's
    /// default (the middle level).
    pub priority_key: Option<u32>,
    /// Tasks with the same key share the queue fairly against other keys.
    pub fairness_key: Option<String>,
    /// The relative share of this fairness key (default 1.0).
    pub fairness_weight: Option<f32>,
}

impl Priority {
    /// A priority with every field at the server's default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the priority key (1 is the highest).
    pub fn priority_key(mut self, key: u32) -> Self {
        self.priority_key = Some(key);
        self
    }

    /// Sets the fairness key.
    pub fn fairness_key(mut self, key: impl Into<String>) -> Self {
        self.fairness_key = Some(key.into());
        self
    }

    /// Sets the fairness weight (positive).
    pub fn fairness_weight(mut self, weight: f32) -> Self {
        self.fairness_weight = Some(weight);
        self
    }

    /// The protobuf message, after checking the values.
    pub fn to_proto(&self) -> Result<proto::Priority, InvalidRequest> {
        if let Some(weight) = self.fairness_weight
            && (!weight.is_finite() || weight <= 0.0)
        {
            return Err(InvalidRequest::InvalidValue {
                field: "priority.fairness_weight",
                reason: "it must be a finite number above 0",
            });
        }
        Ok(proto::Priority {
            priority_key: match self.priority_key {
                Some(key) => fits_i32("priority.priority_key", key)?,
                None => 0,
            },
            fairness_key: self.fairness_key.clone().unwrap_or_default(),
            fairness_weight: self.fairness_weight.unwrap_or(0.0),
        })
    }

    /// Reads a protobuf priority; zero values become "unset".
    pub fn from_proto(priority: &proto::Priority) -> Self {
        Self {
            priority_key: u32::try_from(priority.priority_key)
                .ok()
                .filter(|k| *k != 0),
            fairness_key: Some(priority.fairness_key.clone()).filter(|k| !k.is_empty()),
            fairness_weight: Some(priority.fairness_weight).filter(|w| *w != 0.0),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn converts_every_field() {
        let priority = Priority::new()
            .priority_key(2)
            .fairness_key("tenant")
            .fairness_weight(2.5);
        let proto = priority.to_proto().unwrap();
        assert_eq!(proto.priority_key, 2);
        assert_eq!(proto.fairness_key, "tenant");
        assert_eq!(proto.fairness_weight, 2.5);
        assert_eq!(Priority::from_proto(&proto), priority);
        assert_eq!(
            Priority::new().to_proto().unwrap(),
            proto::Priority::default()
        );
    }

    #[test]
    fn rejects_bad_values() {
        let err = Priority::new()
            .priority_key(u32::MAX)
            .to_proto()
            .unwrap_err();
        assert!(matches!(
            err,
            InvalidRequest::ValueTooLarge {
                field: "priority.priority_key",
                ..
            }
        ));
        for weight in [0.0, -1.0, f32::NAN] {
            let err = Priority::new()
                .fairness_weight(weight)
                .to_proto()
                .unwrap_err();
            assert!(err.to_string().contains("priority.fairness_weight"));
        }
    }
}
